"""The answer pipeline, one step per module; `chain.py` lists the steps once."""
