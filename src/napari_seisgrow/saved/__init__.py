"""Where saved work lives: sessions saved on request, autosaves, and the record of how labels were made."""
