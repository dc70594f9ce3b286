/**
 * Every error code the project raises, with its one failure kind (and so its one exit status:
 * EXIT_CODES). A code means one thing to a script: the same code never exits 2 in one place and 6
 * in another. test/unit/error-codes.test.ts walks src/ for `new XxxError('code'` and checks that
 * each code is here, with the kind of the class that raises it.
 *
 * Codes built at run time belong to a family (CODE_FAMILIES): `config.<setting>` is always usage.
 * A code from the platform is never a code here: that is `remoteCode`.
 */
import { EXIT_CODES } from './exit-codes.js';
import type { FailureKind } from './upload-error.js';

export const ERROR_CODES = Object.freeze({
  // usage: exit 2
  'config.allowed_types': 'usage',
  'config.api_key': 'usage',
  'config.api_url': 'usage',
  'config.client_id': 'usage',
  'config.client_secret': 'usage',
  'config.concurrency': 'usage',
  'config.content_type': 'usage',
  'config.cors_origin': 'usage',
  'config.file': 'usage',
  'config.keep_days': 'usage',
  'config.language': 'usage',
  'config.log_level': 'usage',
  'config.login_url': 'usage',
  'config.max_file_size': 'usage',
  'config.max_rps': 'usage',
  'config.region': 'usage',
  'config.retry': 'usage',
  'config.secret_file': 'usage',
  'config.target': 'usage',
  'config.text': 'usage',
  'config.to': 'usage',
  'delivery.uncertain': 'usage',
  'emulator.invalid-setting': 'usage',
  'input.not_a_file': 'usage',
  'input.unreadable': 'usage',
  'journal.ambiguous_id': 'usage',
  'journal.disabled': 'usage',
  'journal.disk_full': 'usage',
  'journal.io_error': 'usage',
  'journal.not_found': 'usage',
  'journal.not_resumable': 'usage',
  'journal.not_writable': 'usage',
  'journal.nothing_to_resume': 'usage',
  'journal.open': 'usage',
  'journal.other_client': 'usage',
  'journal.other_target': 'usage',
  'journal.upload_changed': 'usage',
  'journal.version': 'usage',
  'webmessaging.deployment': 'usage',
  'webmessaging.origin_refused': 'usage',
  'webmessaging.text_too_long': 'usage',
  // auth: exit 3
  'auth.bad_credentials': 'auth',
  'auth.forbidden': 'auth',
  'auth.invalid_client': 'auth',
  'auth.missing_permission': 'auth',
  'auth.s3_access_denied': 'auth',
  'auth.s3_access_key': 'auth',
  'auth.s3_no_credentials': 'auth',
  'auth.s3_signature': 'auth',
  'auth.s3_token': 'auth',
  'auth.token_rejected': 'auth',
  'auth.user_token_rejected': 'auth',
  // rejected: exit 4
  'api.rejected': 'rejected',
  'conversation.no_connected_communication': 'rejected',
  'conversation.not_connected': 'rejected',
  'conversation.not_found': 'rejected',
  'rejected.content_type': 'rejected',
  'rejected.file_empty': 'rejected',
  'rejected.link_too_long': 'rejected',
  'rejected.too_large': 'rejected',
  'rejected.too_many_chunks': 'rejected',
  's3.entity_too_small': 'rejected',
  'storage.no_such_upload': 'rejected',
  'storage.rejected': 'rejected',
  'storage.signature': 'rejected',
  'upload.checksum_mismatch': 'rejected',
  'upload.incomplete': 'rejected',
  'upload.not_open': 'rejected',
  'upload.resend_unknown': 'rejected',
  'webmessaging.attachment_expired': 'rejected',
  'webmessaging.attachment_not_found': 'rejected',
  'webmessaging.attachment_not_uploaded': 'rejected',
  'webmessaging.attachments_unavailable': 'rejected',
  'webmessaging.content_invalid': 'rejected',
  'webmessaging.extension_blocked': 'rejected',
  'webmessaging.file_empty': 'rejected',
  'webmessaging.name_invalid': 'rejected',
  'webmessaging.name_too_long': 'rejected',
  'webmessaging.no_extension': 'rejected',
  'webmessaging.rejected': 'rejected',
  'webmessaging.session_ended': 'rejected',
  'webmessaging.session_expired': 'rejected',
  'webmessaging.session_not_found': 'rejected',
  'webmessaging.session_read_only': 'rejected',
  'webmessaging.too_large': 'rejected',
  'webmessaging.type_not_allowed': 'rejected',
  'webmessaging.upload_refused': 'rejected',
  // integrity: exit 5
  'conversation.media_invalid': 'integrity',
  'demo.sha256_mismatch': 'integrity',
  'demo.link_failed': 'integrity',
  'integrity.composite_mismatch': 'integrity',
  'integrity.etag_mismatch': 'integrity',
  'integrity.file_changed': 'integrity',
  'integrity.segment_damaged': 'integrity',
  'integrity.segments_not_stored': 'integrity',
  'integrity.sha256_mismatch': 'integrity',
  'integrity.size_mismatch': 'integrity',
  'journal.file_changed': 'integrity',
  'webmessaging.upload_failed': 'integrity',
  // transient: exit 6
  'api.rate_limited': 'transient',
  'api.server_error': 'transient',
  'auth.unavailable': 'transient',
  'conversation.media_timeout': 'transient',
  'delivery.answer_lost': 'transient',
  'journal.busy': 'transient',
  'journal.locked': 'transient',
  'network.error': 'transient',
  'network.not_retried': 'transient',
  'retry.exhausted': 'transient',
  'retry.retry_after_too_long': 'transient',
  'storage.unavailable': 'transient',
  'storage.url_expired': 'transient',
  'webmessaging.connection_lost': 'transient',
  'webmessaging.no_answer': 'transient',
  'webmessaging.no_upload_event': 'transient',
  'webmessaging.no_url': 'transient',
  'webmessaging.rate_limited': 'transient',
  'webmessaging.server_error': 'transient',
  'webmessaging.unreachable': 'transient',
  'webmessaging.upload_incomplete': 'transient',
  // interrupted: exit 130
  'interrupted': 'interrupted',
  // internal: exit 1
  'api.bad_response': 'internal',
  'auth.bad_response': 'internal',
  'delivery.bad_intent': 'internal',
  'demo.no_link': 'internal',
  'internal.destination': 'internal',
  'internal.job_missing': 'internal',
  'internal.journal': 'internal',
  'internal.unexpected': 'internal',
  'journal.entry_incomplete': 'internal',
  'journal.entry_missing': 'internal',
  's3.no_upload_id': 'internal',
  'state.guest_token': 'internal',
  'webmessaging.bad_response': 'internal',
} as const satisfies Record<string, FailureKind>);

export type ErrorCode = keyof typeof ERROR_CODES;

/** Prefixes of codes built at run time (e.g. `config.${setting}`), each with its one kind. */
export const CODE_FAMILIES: Readonly<Record<string, FailureKind>> = Object.freeze({ 'config.': 'usage' });

/** The kind of a code: from the table, else from its family; undefined for an unknown code. */
export function kindOfCode(code: string): FailureKind | undefined {
  if (Object.hasOwn(ERROR_CODES, code)) return ERROR_CODES[code as ErrorCode];
  for (const [prefix, kind] of Object.entries(CODE_FAMILIES)) if (code.startsWith(prefix)) return kind;
  return undefined;
}

/** The CLI's exit status for a code, or undefined for an unknown code. */
export function exitStatusOfCode(code: string): number | undefined {
  const kind = kindOfCode(code);
  return kind === undefined ? undefined : EXIT_CODES[kind];
}

/** The table as rows (code, kind, exit status), in code order: for documentation and `--help`. */
export function errorTable(): Array<{ code: string; kind: FailureKind; exitStatus: number }> {
  return Object.entries(ERROR_CODES)
    .map(([code, kind]) => ({ code, kind, exitStatus: EXIT_CODES[kind] }))
    .sort((a, b) => a.code.localeCompare(b.code));
}
