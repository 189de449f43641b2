#!/usr/bin/env python3
"""Forum benchmark data and load descriptions (bench/forum.sh).

  forum_data.py rows --threads N --replies R --seed S > rows.tsv
      One line per post: thread number, position in the thread (0 = opening post),
      author number (1..500), title (opening posts) and a Markdown-free body of 25-60
      words drawn from a health vocabulary with a Zipf-like skew, so common words match
      many posts and rare ones few, as in a real forum.
  forum_data.py queries --count N --seed S
      Search queries (one or two vocabulary words, web-search syntax), one per line.
"""
import argparse
import random
import sys

WORDS = """insulin diabetes glucose sugar blood pressure heart cholesterol diet exercise walking
running sleep anxiety stress depression therapy medication dose tablet injection fever cough
cold flu asthma allergy rash skin eczema migraine headache back pain knee joint arthritis
pregnancy baby child vaccine vaccination infection antibiotic kidney liver thyroid weight
obesity nutrition protein vitamin iron calcium bone fracture physiotherapy surgery recovery
hospital clinic doctor appointment test report scan xray ultrasound mri biopsy cancer
screening breathing lungs smoking alcohol hydration water fasting breakfast dinner snack fruit
vegetables rice wheat millet yoga meditation mindfulness counselling memory elderly parents
dizziness nausea vomiting diarrhoea constipation acidity ulcer gastritis appetite fatigue
energy hormones menstrual cycle fertility contraception eyes vision glasses hearing dental
teeth gums throat tonsils sinus nose ear monitoring glucometer readings hba1c ketones
neuropathy foot wound healing bandage dressing swelling inflammation immunity covid symptoms
isolation recovery rehabilitation stroke paralysis seizure epilepsy dementia parkinson tremor
palpitations arrhythmia chest breathlessness oxygen saturation pulse thermometer
temperature insurance cost pharmacy generic brand prescription refill side effects
interaction pediatric teething colic rashes growth milestones feeding formula breastfeeding
""".split()

FILLER = """the a my is was have has been after before during with without when how what why
should can could would every daily weekly morning evening night since about for and or but
""".split()


def weighted_words(rng, n):
    # Zipf-like: word i is picked with weight 1 / (i + 1).
    return rng.choices(WORDS, weights=WEIGHTS, k=n)


WEIGHTS = [1.0 / (i + 1) for i in range(len(WORDS))]


def sentence(rng, n):
    out = []
    for w in weighted_words(rng, n):
        out.append(w)
        if rng.random() < 0.6:
            out.append(rng.choice(FILLER))
    return " ".join(out)


def rows(args):
    rng = random.Random(args.seed)
    w = sys.stdout.write
    for t in range(args.threads):
        for k in range(args.replies + 1):
            author = rng.randint(1, 500)
            title = sentence(rng, rng.randint(3, 6)).capitalize() + "?" if k == 0 else ""
            body = sentence(rng, rng.randint(25, 60)).capitalize() + "."
            w(f"{t}\t{k}\t{author}\t{title}\t{body}\n")


def queries(args):
    rng = random.Random(args.seed)
    for _ in range(args.count):
        n = 1 if rng.random() < 0.6 else 2
        print(" ".join(rng.sample(WORDS[:120], n)))


def main():
    p = argparse.ArgumentParser()
    sub = p.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("rows")
    r.add_argument("--threads", type=int, required=True)
    r.add_argument("--replies", type=int, required=True)
    r.add_argument("--seed", type=int, default=6)
    q = sub.add_parser("queries")
    q.add_argument("--count", type=int, required=True)
    q.add_argument("--seed", type=int, default=6)
    args = p.parse_args()
    {"rows": rows, "queries": queries}[args.cmd](args)


if __name__ == "__main__":
    main()
