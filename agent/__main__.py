"""`python -m agent` runs the same CLI as `buyer-agent`."""

from agent.cli import main

if __name__ == "__main__":
    main()
