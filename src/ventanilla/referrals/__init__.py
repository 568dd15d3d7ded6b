"""Referrals and protection: the directory of services people are referred to, the
referrals staff make and follow up, rights-violation reports and transfers between desks."""
