"""The Yubei demo: real district/town/community codes and outline, invented lower levels.

``load_demo`` (boundaries.demo.loader) is what ``manage.py load_demo`` and the test fixture call.
"""
