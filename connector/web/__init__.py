"""What every route shares, whichever platform called: the caller of this request, JSON errors."""
