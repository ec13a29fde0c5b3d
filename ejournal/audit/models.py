from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    """One attributable change. Rows are only ever inserted (see ``audit.services.record``).

    Events of one chain (a school, or the deployment-wide chain for events without a
    school) are linked by HMAC-SHA256 under a key kept outside the database: ``hash`` covers
    the event's content and ``prev_hash``, so editing or deleting any past event breaks every
    later link, and nobody without the key can seal a rewritten chain. Checkpoints of each
    chain's head, written outside the database (``audit.checkpoints``), catch a trimmed tail.
    """

    chain = models.CharField(max_length=32, db_index=True)
    seq = models.PositiveBigIntegerField()
    school = models.ForeignKey(
        "school.School", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
    )
    actor_role = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=64, db_index=True)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    reason = models.TextField(blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=400, blank=True)
    created_at = models.DateTimeField()
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)
    # Which key sealed ``hash`` (ejournal.audit.keys); 0: the unkeyed SHA-256 of events
    # written before the chain was keyed.
    key_version = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["chain", "seq"], name="audit_chain_seq_unique"),
        ]
        indexes = [
            models.Index(fields=["object_type", "object_id"], name="audit_object_idx"),
            models.Index(fields=["actor", "created_at"], name="audit_actor_time_idx"),
        ]
        ordering = ["chain", "seq"]

    def __str__(self) -> str:
        return f"{self.chain}#{self.seq} {self.action}"


class AuditChainHead(models.Model):
    """The last link of each chain; locked while appending so links never fork."""

    chain = models.CharField(max_length=32, unique=True)
    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64)

    def __str__(self) -> str:
        return f"{self.chain}@{self.last_seq}"
