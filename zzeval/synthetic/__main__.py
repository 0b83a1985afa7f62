"""``python -m zzeval.synthetic``: the validation study of the flat module (transitional)."""

from zzeval.synthetic import main

raise SystemExit(main())
