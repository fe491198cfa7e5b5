"""Files and folders the app owns: where settings live, owner-only atomic files. Stdlib only."""
