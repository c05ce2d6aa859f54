"""Notifications: an account's inbox, and the e-mail and webhooks that carry the same notices
(issue 15, item 10; issue 16, item 8). Subscriptions to the exchange are the first producer
(`subscriptions`, `matching`); `delivery` sends, `inbox` lists and marks read.
docs/decisions/0022-subscriptions-and-notifications.md gives the reasons."""
