# Sourced by scripts/*: installs the Debian packages ctnn needs, only those that are missing.
# usage: ensure_packages pkg...
ensure_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "ctnn: installing missing packages: ${missing[*]}"
  local sudo=""
  [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}"
}

# What building and testing ctnn needs on Debian 12.
CTNN_BUILD_PACKAGES=(cmake ninja-build g++ clang libclang-rt-14-dev pkg-config
                     libeigen3-dev libboost-dev libboost-test-dev zlib1g-dev libopenblas-dev)

# OpenBLAS picks its kernel when it loads, from OPENBLAS_CORETYPE or by detection; on AMD cores with
# AVX-512 detection picks an AVX2 kernel, slower than Eigen's, and some environments pin one (this
# project's machines export OPENBLAS_CORETYPE=Haswell). Where the CPU has AVX-512, ask for OpenBLAS's
# AVX-512 kernel; CTNN_OPENBLAS_CORETYPE chooses another.
use_openblas_avx512() {
  if [ -n "${CTNN_OPENBLAS_CORETYPE:-}" ]; then
    export OPENBLAS_CORETYPE=$CTNN_OPENBLAS_CORETYPE
  elif grep -q avx512f /proc/cpuinfo 2>/dev/null; then
    export OPENBLAS_CORETYPE=SkylakeX
  fi
}
