# Source this file to use the development environment built by tools/setup_env.sh:
# the venv's python, the ROS 2 wheels, and the interface packages in .dev/install.
_repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
_prefix="$_repo/.dev/install"
export VIRTUAL_ENV="$_repo/.dev/venv"
export PATH="$VIRTUAL_ENV/bin:$PATH"
export AMENT_PREFIX_PATH="$_prefix:$VIRTUAL_ENV${AMENT_PREFIX_PATH:+:$AMENT_PREFIX_PATH}"
# The sources first: the package in .dev/install only contributes the generated `msg`
# (mobilenet_ssd_ros/__init__.py extends the package path to it).
export PYTHONPATH="$_repo:$_prefix/lib/python3.11/site-packages${PYTHONPATH:+:$PYTHONPATH}"
export LD_LIBRARY_PATH="$_prefix/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
# The project's shared data (models/, data/) beside the checkout, unless set already: the
# zoo finds the default model there, and the tests and benchmarks read their images there.
export MOBILENET_SSD_SHARED_DIR="${MOBILENET_SSD_SHARED_DIR:-$(cd "$_repo/.." && pwd)/shared}"
unset _repo _prefix
