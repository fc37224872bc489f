import sys

from keras_mm.cli.main import main

sys.exit(main())
