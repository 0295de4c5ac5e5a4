import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Post,
  UploadedFiles,
  UseInterceptors,
} from '@nestjs/common';
import { AnyFilesInterceptor } from '@nestjs/platform-express';
import { parseBody } from '../common/parse-body.js';
import { IMPORT_LIMITS } from './certificate-import.js';
import { CertificatesService, forcedWarning, type ServerIdentity } from './certificates.service.js';
import { ApiDoc } from '../common/api-doc.decorator.js';
import {
  certificateChangeRequestSchema as changeBody,
  certificateChangeSchema,
  certificateImportFieldsSchema as importFields,
  certificateImportSchema,
  serverCertificateSchema,
} from '../../../../libs/api/certificates.js';

interface UploadedFile {
  originalname: string;
  buffer: Buffer;
}

@Controller('certificates')
export class CertificatesController {
  constructor(private readonly certificates: CertificatesService) {}

  @Get('server')
  @ApiDoc({ response: serverCertificateSchema })
  server() {
    return this.certificates.activeSummary();
  }

  @Get('server/chain')
  @Header('Content-Type', 'application/x-pem-file')
  @Header('Content-Disposition', 'attachment; filename="switchyard-server-chain.pem"')
  @ApiDoc({ produces: 'application/x-pem-file' })
  chain() {
    return this.certificates.activeChainPem();
  }

  /** multipart/form-data: one or more files (any field name) and an optional `password`. */
  @Post('server/import')
  @HttpCode(200)
  @UseInterceptors(
    AnyFilesInterceptor({
      limits: { files: IMPORT_LIMITS.files + 1, fileSize: IMPORT_LIMITS.bytesPerFile + 1, fields: 5 },
    }),
  )
  @ApiDoc({ upload: 'file', body: importFields, response: certificateImportSchema })
  import(@UploadedFiles() files: UploadedFile[] | undefined, @Body() body: unknown) {
    const fields = parseBody(importFields, body);
    return this.certificates.importFiles(
      (files ?? []).map((f) => ({ name: f.originalname, bytes: f.buffer })),
      fields.password,
      fields.hosts,
      { force: fields.force },
    );
  }

  /** Body `{ "force": true }` to go past agents that would not trust a new self-signed certificate. */
  @Post('server/self-signed')
  @HttpCode(200)
  @ApiDoc({ body: changeBody, response: certificateChangeSchema })
  async selfSigned(@Body() body: unknown) {
    const installed = await this.certificates.installSelfSigned(parseBody(changeBody, body));
    return this.answer(installed);
  }

  /** The certificate `POST server/previous` would restore. */
  @Get('server/previous')
  @ApiDoc({ response: serverCertificateSchema })
  previous() {
    return this.certificates.previousSummary();
  }

  /** Serves the previous certificate again (guarded: `{ "force": true }` to go past stranded agents). */
  @Post('server/previous')
  @HttpCode(200)
  @ApiDoc({ body: changeBody, response: certificateChangeSchema })
  async restorePrevious(@Body() body: unknown) {
    const restored = await this.certificates.restorePrevious(parseBody(changeBody, body));
    return this.answer(restored);
  }

  private async answer(installed: ServerIdentity) {
    const warnings = installed.forcedPast ? [forcedWarning(installed.forcedPast)] : [];
    return { ...(await this.certificates.activeSummary()), warnings };
  }
}
