"""The certificate register's SQL (the tables of `storage/models/registry.py`), one module per
concern:

- `certificates`: the register's certificates: an import's keys, bulk inserts and updates,
  withdrawals, and the views shown in chat and in `/notices`;
- `expiry_reminders`: reminders planned, replanned, cancelled, due, closed, and the outbox
  notice each goes out as;
- `firm_chats`: the chats holding a 統一編號, and reminder opt-outs;
- `notice_targets`: notices targeted by 統一編號, their reach and outbox rows;
- `renewals`: each category's renewal text for the reminder;
- `figures`: the figures of the monthly notices report.

Bulk inserts go through `storage.queries.bulk`."""
