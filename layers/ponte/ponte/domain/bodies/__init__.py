"""The bodies of notifications, one module per area. Each body is a frozen model with a `kind` Literal; the union
of them all is `ponte.domain.notifications.NotificationBody`, and each has texts in `ponte.messages.texts`."""
