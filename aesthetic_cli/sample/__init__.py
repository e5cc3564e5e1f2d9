"""Realistic sample clinic data: a simulator and exporters that write files like a Chinese CRM."""
