"""Qt-free presentation: the session, view models, the field registry, wording, documents."""
