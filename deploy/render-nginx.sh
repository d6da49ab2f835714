#!/bin/sh
# Renders nginx/nginx.conf.template into RUN_DIR/nginx.conf (POSIX sh: it also runs in the nginx container).
# usage: render-nginx.sh RUN_DIR HTTP_LISTEN HTTPS_LISTEN CERT KEY BALANCE UPSTREAM [UPSTREAM...]
#   BALANCE: least_conn | sticky; UPSTREAM: host:port of one instance.
#   Without a readable CERT and KEY the TLS server block is left out, with a warning.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
run_dir=$1 http_listen=$2 https_listen=$3 cert=$4 key=$5 balance=$6
shift 6
case "$balance" in
  least_conn) balance_line='least_conn;' ;;
  sticky) balance_line='hash $remote_addr consistent;' ;;
  *) echo "BALANCE must be least_conn or sticky" >&2; exit 2 ;;
esac
servers=""
for upstream in "$@"; do
  servers="${servers}server ${upstream} max_fails=1 fail_timeout=2s; "
done
tls_filter='cat'
if [ ! -r "$cert" ] || [ ! -r "$key" ]; then
  echo "render-nginx: no certificate at $cert / $key: serving plain HTTP only" >&2
  tls_filter='sed /TLS-BEGIN/,/TLS-END/d'
fi
mkdir -p "$run_dir"
cp "$here/../nginx/proxy_params.conf" "$run_dir/proxy_params.conf"
sed -e "s|__RUN_DIR__|${run_dir}|g" \
    -e "s|__BALANCE__|${balance_line}|" \
    -e "s|__UPSTREAM_SERVERS__|${servers}|" \
    -e "s|__HTTP_LISTEN__|${http_listen}|" \
    -e "s|__HTTPS_LISTEN__|${https_listen}|" \
    -e "s|__TLS_CERT__|${cert}|" \
    -e "s|__TLS_KEY__|${key}|" \
    "$here/../nginx/nginx.conf.template" | $tls_filter > "$run_dir/nginx.conf"
echo "$run_dir/nginx.conf"
