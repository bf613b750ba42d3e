"""Messages about names a user typed."""
def test_an_unknown_code_name_suggests_the_nearest_ones():
    from accord.names import no_such_code

    known = ["Agenda control", "Coercion", "Deference to authority"]
    assert "did you mean 'Agenda control'?" in no_such_code("agenda contrl", known)
    assert "did you mean" not in no_such_code("zzzz", known)
    assert no_such_code("zzzz", known).startswith("no code named 'zzzz' in the codebook")
