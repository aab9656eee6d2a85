"""Commands for developers and operators: the cluster launcher (``python -m scripts.cluster``)."""
