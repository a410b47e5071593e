export type { AuditChange, AuditChanges } from './audit-changes.js';
export { auditLog } from './audit-log.js';
export type { AuditActor, AuditLogOptions, AuditRedaction } from './audit-options.js';
export type { AuditRow, AuditTableOptions } from './audit-table-sql.js';
export { auditTableSql } from './audit-table-sql.js';
