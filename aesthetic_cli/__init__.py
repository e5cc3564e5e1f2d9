"""aesops: analytics for medical-aesthetics clinic operations (医美机构运营分析)."""

__version__ = "0.1.0"
