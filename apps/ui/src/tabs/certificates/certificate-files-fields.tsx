import { useState } from 'preact/hooks';

const ACCEPT = '.pfx,.p12,.p7b,.p7c,.cer,.crt,.der,.pem,.key,.p8';

/** The chosen files and password, and the multipart body they make. */
export interface CertificateUpload {
  files: File[];
  password: string;
  setFiles: (files: File[]) => void;
  setPassword: (password: string) => void;
  /** `files` (each with its name) and `password` when given; the caller adds its own fields. */
  form: () => FormData;
}

export function useCertificateUpload(): CertificateUpload {
  const [files, setFiles] = useState<File[]>([]);
  const [password, setPassword] = useState('');
  const form = () => {
    const body = new FormData();
    for (const f of files) body.append('files', f, f.name);
    if (password) body.append('password', password);
    return body;
  };
  return { files, password, setFiles, setPassword, form };
}

/**
 * The files and password of a server certificate in any supported format (the server recognises it
 * from the content): the import and the staged rotation take the same upload.
 */
export function CertificateFilesFields(props: { upload: CertificateUpload }) {
  return (
    <>
      <label>
        Files
        <input
          type="file"
          name="files"
          multiple
          required
          accept={ACCEPT}
          onChange={(e) => props.upload.setFiles(Array.from(e.currentTarget.files ?? []))}
        />
      </label>
      <label>
        Password (PKCS#12 or encrypted key)
        <input
          type="password"
          name="password"
          autocomplete="off"
          value={props.upload.password}
          onInput={(e) => props.upload.setPassword(e.currentTarget.value)}
        />
      </label>
    </>
  );
}
