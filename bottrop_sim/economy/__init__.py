"""The economy's accounting core: sector table, supply network, flows, labour, households."""
