"""Feedback: citizen satisfaction surveys (SKM/IKM) and complaints."""
