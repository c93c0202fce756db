"""The e-mail outbox: e-mails stored in the transaction that causes them, sent after the commit, retried, limited per address."""
