from mitrainer.cli import main

raise SystemExit(main())
