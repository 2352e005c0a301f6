"""The peers every GossipSub attack trace names, whichever engine built it: the attacker, its twin (the
same history plus or minus one piece of misbehaviour, for GS-PROP-2 and GS-PROP-5) and an honest first sender."""

ATTACKER, TWIN, HONEST = "attacker", "twin", "honest"
