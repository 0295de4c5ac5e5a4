// A Java 17 HTTPS client for the agent's local API (test/medium/agent-local-api-tls.spec.ts): trust and
// client certificate come only from -Djavax.net.ssl.trustStore* and -Djavax.net.ssl.keyStore*, as a
// Java program on a branch PC would get them. Prints "HTTP <status> <body>"; exits 1 on an exception.
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import javax.net.ssl.HttpsURLConnection;

public class LocalApiHttpsClient {
  public static void main(String[] args) {
    try {
      HttpsURLConnection connection = (HttpsURLConnection) new URI(args[0]).toURL().openConnection();
      connection.setConnectTimeout(15000);
      connection.setReadTimeout(15000);
      int status = connection.getResponseCode();
      InputStream body = status >= 400 ? connection.getErrorStream() : connection.getInputStream();
      String text = body == null ? "" : new String(body.readAllBytes(), StandardCharsets.UTF_8).trim();
      System.out.println("HTTP " + status + " " + text);
    } catch (Exception e) {
      System.out.println("EXCEPTION " + e);
      System.exit(1);
    }
  }
}
