"""elig: eligibility rules engine for public support measures.

Data flows one way: load -> validate -> compile -> match -> explain -> render.
"""

__version__ = "0.1.0"
