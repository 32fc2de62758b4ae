"""Content: the articles writers keep in `content/<locale>/`, their front matter and links."""
