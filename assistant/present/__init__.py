"""What readers see: answers and sources as Markdown and HTML, example questions, the page."""
