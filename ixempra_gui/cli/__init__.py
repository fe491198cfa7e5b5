"""Every command-line entry point: argparse → core / journal → JSON or text. Never Qt."""
