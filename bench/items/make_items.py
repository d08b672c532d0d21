"""Writes the two Jovo user items the benchmarks load and save (run once; the output is
committed): small.json, a typical user after a few visits (~300 bytes of JSON), and
large.json, a user with a long play history and a 10-entry request history (~100 KB)."""
import json
import pathlib

here = pathlib.Path(__file__).parent

small = {
    "user": {"data": {"visits": 3, "favoriteColors": ["blue", "green"], "score": 1250.5,
                      "locale": "en-US", "premium": False}},
    "session": {"state": [], "data": {}},
    "history": {"items": [{"output": {"message": "Welcome back!"},
                           "nlu": {"intent": {"name": "LaunchIntent"}}}]},
    "createdAt": "2026-11-24T10:00:00.000Z",
    "updatedAt": "2026-11-24T10:03:00.000Z",
}

games = [{"id": f"game-{i:04d}", "score": i * 37 % 1000, "won": i % 3 == 0,
          "startedAt": f"2026-11-{1 + i % 28:02d}T10:{i % 60:02d}:00.000Z",
          "moves": ["north", "east", "take lamp", "open door"][: 1 + i % 4],
          "note": "a note the app kept about this game " + "x" * (i % 20)}
         for i in range(560)]
large = {
    "user": {"data": {"visits": 560, "favoriteColors": ["blue", "green", "orange"],
                      "games": games}},
    "session": {"state": [{"component": "GameComponent", "resolve": {"win": "onWin"}}],
                "data": {"round": 7}},
    "history": {"items": [{"output": {"message": f"Turn {i}: you are in a maze of little passages."},
                           "nlu": {"intent": {"name": "MoveIntent"}, "entities": {"direction": "north"}}}
                          for i in range(10)]},
    "createdAt": "2026-01-02T08:00:00.000Z",
    "updatedAt": "2026-11-24T10:03:00.000Z",
}

for name, item in (("small", small), ("large", large)):
    text = json.dumps(item, separators=(",", ":"))
    (here / f"{name}.json").write_text(text + "\n")
    print(name, len(text), "bytes of JSON")
