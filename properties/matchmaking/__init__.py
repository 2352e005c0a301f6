"""The matchmaking model laws (spec §13, MM-LAW-*) as predicates, and the strategies that generate their inputs."""
