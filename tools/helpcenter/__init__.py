"""helpcenter: a git-native, multilingual help center generator."""

__version__ = "0.1.0"
