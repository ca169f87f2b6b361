"""Texts every language shares: famous people, placeholder e-mails, code snippets, the Midjourney
template (WildChat's most repeated prompt)."""

from __future__ import annotations

FAMOUS_PEOPLE = (
    "Albert Einstein",
    "Marie Curie",
    "William Shakespeare",
    "Leonardo da Vinci",
    "Isaac Newton",
    "Nelson Mandela",
    "Wolfgang Amadeus Mozart",
    "Charles Darwin",
    "Napoleon Bonaparte",
    "Abraham Lincoln",
)
PLACEHOLDER_EMAILS = ("user@example.com", "test@example.com", "john.doe@example.org", "name@example.net")

EMAIL_SNIPPET = """import smtplib
from email.message import EmailMessage

msg = EmailMessage()
msg["To"] = "{email}"
msg["Subject"] = "Weekly report"
with smtplib.SMTP("localhost") as server:
    server.send_message(msg)"""

CODE_SNIPPETS = (
    """import csv

def column_averages(path):
    with open(path) as f:
        rows = list(csv.reader(f))
    header, data = rows[0], rows[1:]
    return {name: sum(float(r[i]) for r in data) / len(data) for i, name in enumerate(header)}""",
    """function isPalindrome(text) {
  const clean = text.toLowerCase().replace(/[^a-z0-9]/g, "");
  return clean === clean.split("").reverse().join("");
}""",
    """def fibonacci(n):
    a, b = 0, 1
    for _ in range(n):
        a, b = b, a + b
    return a""",
    """numbers = [3, 1, 4, 1, 5, 9, 2, 6]
top_three = sorted(numbers, reverse=True)[:3]
print(top_three)""",
    """SELECT country, COUNT(*) AS users
FROM sessions
GROUP BY country
ORDER BY users DESC;""",
    """class Stack:
    def __init__(self):
        self.items = []

    def push(self, item):
        self.items.append(item)

    def pop(self):
        return self.items.pop()""",
)

MIDJOURNEY_PROMPT = (
    'As a prompt generator for a generative AI called "Midjourney", you will create image prompts for the '
    "AI to visualize. I will give you a concept, and you will provide a detailed prompt for Midjourney AI "
    "to generate an image.\n\nPlease adhere to the structure and formatting below, and follow these "
    'guidelines:\n\nDo not use the words "description" or ":" in any form.\nDo not place a comma between '
    "[ar] and [v].\nWrite each prompt in one line without using return.\n\nStructure:\n[1] = {concept}\n"
    "[2] = a detailed description of [1] with specific imagery details.\n[3] = a detailed description of "
    "the scene's environment.\n[4] = a detailed description of the compositions.\n[5] = a detailed "
    "description of the scene's mood, feelings, and atmosphere.\n\nYour task: Create 4 distinct prompts "
    "for each concept [1], varying in details description, environment, compositions, atmosphere, and "
    "realization."
)
MIDJOURNEY_CONCEPTS = (
    "a cat sitting on a windowsill at sunset",
    "an old lighthouse in a storm",
    "a futuristic city with flying cars",
    "a girl reading a book in a library",
    "a dragon flying over snowy mountains",
    "a cozy coffee shop on a rainy day",
)
MIDJOURNEY_DETAILS = (
    ("soft golden light", "dramatic shadows", "vivid colors", "muted pastel tones"),
    ("surrounded by tall trees", "in a crowded street", "beside a calm lake", "under a starry sky"),
    ("wide-angle composition", "close-up portrait", "symmetrical framing", "rule of thirds"),
    ("peaceful and nostalgic mood", "mysterious atmosphere", "joyful and lively feeling", "melancholic mood"),
    ("digital painting", "captured with a Canon EOS R5, 35mm lens", "watercolor illustration", "3D render"),
)
