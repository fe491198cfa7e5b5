"""The Qt widgets. Everything here renders core results; no dose rule lives in this package."""
