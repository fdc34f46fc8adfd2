"""Small hand-written fakes of the ports, shared by the tests."""
