"""Writes of the archive: printed copies (logged), archive records of closed periods,
their verification and comparison with the live journal, the usage log, and the
retention purge that refuses to delete anything before its term.

Split by subject: records (archive records, their verification, download and comparison),
usage (the usage log and the retention purge), printing (printed copies and print jobs);
_common holds who may do what and the hashes.
"""

from ejournal.archive.services._common import (
    ARCHIVISTS,
    PRINTERS,
    REGISTER_KEEPERS,
    canonical_json,
    logger,
    sha256,
)
from ejournal.archive.services.printing import (
    _enqueue,
    copy_print,
    print_job_run,
    print_job_start,
)
from ejournal.archive.services.records import (
    Change,
    Comparison,
    Verification,
    _closed,
    archive_create,
    archive_verify,
    facts,
    record_compare,
    record_download,
)
from ejournal.archive.services.usage import (
    backup_purge,
    purge_expired,
    record_purge,
    usage_record,
)

__all__ = [
    "ARCHIVISTS",
    "PRINTERS",
    "REGISTER_KEEPERS",
    "canonical_json",
    "logger",
    "sha256",
    "Change",
    "Comparison",
    "Verification",
    "_closed",
    "archive_create",
    "archive_verify",
    "facts",
    "record_compare",
    "record_download",
    "backup_purge",
    "purge_expired",
    "record_purge",
    "usage_record",
    "_enqueue",
    "copy_print",
    "print_job_run",
    "print_job_start",
]
