"""Reference data shipped with zzeval: factors, breakpoints, limits, plan targets, rules, labels."""
