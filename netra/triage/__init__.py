"""Triage: suggest the violation group, pull out the key facts, score duplicates (issue #13).

A pure domain app below ``cases``: it may read ``catalog``; it never imports ``cases``, ``orgs``
or a face. The public interface is :mod:`netra.triage.api`.
"""
