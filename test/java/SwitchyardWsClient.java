// A minimal Java 17 WebSocket agent, as the Java agent Switchyard replaces would connect: it trusts
// central only through the JVM's javax.net.ssl.trustStore* properties, sends a hello, and waits for
// the welcome. Exit 0 and "WELCOME" on success; exit 1 and the exception on failure.
//
//   java -Djavax.net.ssl.trustStore=truststore.jks -Djavax.net.ssl.trustStorePassword=changeit \
//        SwitchyardWsClient.java wss://localhost:9150/agent AGENT_ID SECRET PROTOCOL_VERSION
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

public class SwitchyardWsClient {
  public static void main(String[] args) throws Exception {
    String url = args[0], agentId = args[1], secret = args[2], protocolVersion = args[3];
    CompletableFuture<String> welcome = new CompletableFuture<>();
    WebSocket.Listener listener = new WebSocket.Listener() {
      private final StringBuilder text = new StringBuilder();

      @Override
      public CompletionStage<?> onText(WebSocket ws, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
          String frame = text.toString();
          text.setLength(0);
          if (frame.contains("\"welcome\"")) welcome.complete(frame);
        }
        ws.request(1);
        return null;
      }

      @Override
      public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
        welcome.completeExceptionally(new IllegalStateException("closed " + code + " " + reason));
        return null;
      }

      @Override
      public void onError(WebSocket ws, Throwable error) {
        welcome.completeExceptionally(error);
      }
    };
    try {
      WebSocket ws = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build()
          .newWebSocketBuilder()
          .header("Authorization", "Bearer " + secret)
          .header("X-Switchyard-Agent-Id", agentId)
          .buildAsync(URI.create(url), listener)
          .get(15, TimeUnit.SECONDS);
      ws.sendText("{\"type\":\"hello\",\"agentId\":\"" + agentId + "\",\"agentVersion\":\"1.0.0\",\"protocolVersion\":"
          + protocolVersion + ",\"capabilities\":[\"wss\"],\"profileSha256\":null,\"transport\":\"secure\"}", true)
          .get(5, TimeUnit.SECONDS);
      welcome.get(15, TimeUnit.SECONDS);
      System.out.println("WELCOME");
      ws.sendClose(WebSocket.NORMAL_CLOSURE, "bye").get(5, TimeUnit.SECONDS);
      System.exit(0);
    } catch (Exception e) {
      Throwable root = e;
      while (root.getCause() != null) root = root.getCause();
      System.out.println("FAILED " + root.getClass().getName() + ": " + root.getMessage());
      System.exit(1);
    }
  }
}
