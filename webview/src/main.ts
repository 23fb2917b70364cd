// Graph view entry (built to dist/webview/main.js).
