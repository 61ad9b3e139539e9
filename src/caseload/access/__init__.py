"""Who may use caseload and what they did: accounts, passwords, sessions, API tokens, login
throttling, the access rules per role, each account's scope in the register, and the audit
trail. No web framework here: the serve face and the command line both call it."""
