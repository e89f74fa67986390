"""Feedback: citizen satisfaction surveys (SKM/IKM) and complaints.

Every use case (``surveys``, ``tokens``, ``complaints``) takes the runtime first, then
keyword-only the caller (the verified ``principal``; public endpoints the regency's
slug), and refuses before any write.
"""
