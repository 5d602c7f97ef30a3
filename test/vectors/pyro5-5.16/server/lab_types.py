"""
Classes the Pyro5 lab server hands out, kept in their own module so that their
serialized class names are 'lab_types.<Name>' (a script's own classes would be
'__main__.<Name>', which Pyro5 receivers refuse for the double underscores).
"""


import Pyro5.api


class LabError(Exception):
    """A custom exception class that Pyro5 receivers do not know."""


class Point(object):
    """A plain object: serialized as its attribute dict (with or without __class__)."""

    def __init__(self, x, y):
        self.x = x
        self.y = y


class Slotted(object):
    """An object with __slots__ and no __dict__."""

    __slots__ = ("a", "b")

    def __init__(self, a, b):
        self.a = a
        self.b = b


@Pyro5.api.expose
class Child(object):
    """Registered on demand by the lab's make_child(); goes back to the caller as an auto-proxy."""

    def hello(self):
        return "hello from child"
