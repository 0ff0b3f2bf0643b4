"""Notices by e-mail, a domain beside `bot/notices` (no telegram, no web): the public pages
call its use cases, the mail sender sends through the same outbox.

- `addresses`: an address as stored, link tokens and what is kept of them (a hash);
- `subscribing`: request (double opt-in), confirm, change, unsubscribe, purge, bounce;
- `records`: a person's request (show, remove) and `bsmi-desk email import`;
- `messages`: the e-mails (pure): a notice, a digest, a confirmation, list headers, DKIM;
- `digests`: daily and weekly digests: when due (work calendar), written once, composed;
- `outcomes`: what a mail server's answer means for an outbox row (pure);
- `outbox`: the sender's transactions: take and compose due rows, record outcomes;
- `transport`: SMTP (one connection reused) or `.eml` files;
- `sender`: the loop, paced at MAIL_RATE, started with the bot."""
