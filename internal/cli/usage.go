package cli

// Usage is the text of awsrun --help; %s takes the flag list.
const Usage = `awsrun runs a command with MFA-backed AWS role credentials.

Usage:
  awsrun [flags] [--] COMMAND [ARG...]   run COMMAND with the profile's credentials
  awsrun [flags]                          no COMMAND: start $SHELL (else /bin/sh) with them
  awsrun [flags] --export FORMAT          print the credentials instead (env, fish, powershell, dotenv, json, credential-process)
  awsrun [flags] --export eks-token --eks-cluster NAME   a kubectl ExecCredential for an EKS cluster
  awsrun [flags] --server [[--] COMMAND [ARG...]]   stay the parent, serve COMMAND (else $SHELL) refreshed credentials
  awsrun --list [--json]                  show profiles and cached credentials with time left
  awsrun --clear [--profile NAME]         forget cached credentials (all, or one profile's)
  awsrun --keys VERB [--profile NAME]     long-term keys out of plain text: add, import, list, remove, rotate
  awsrun [flags] --console[-url]          sign in to the AWS console as the profile (or print the URL)
  awsrun [flags] --whoami [--json]        who the profile's credentials are, and until when
  awsrun --doctor [-p NAME] [--json]      what a run would cost now and what is wrong; 125 if it would fail
  awsrun --completion SHELL               print a completion script (bash, zsh, fish, powershell)
  awsrun --version | --help

awsrun reads the profile from ~/.aws/config and ~/.aws/credentials, gets role
credentials from its encrypted cache or from STS (asking for one MFA code on the
terminal per MFA session, however many roles and processes), and replaces itself
with COMMAND (with --server it stays COMMAND's parent instead). COMMAND's
environment is awsrun's, without inherited AWS credential and profile variables,
plus AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN,
AWS_CREDENTIAL_EXPIRATION, AWS_REGION, AWS_DEFAULT_REGION and AWSRUN_REGION
(when a region is known) and AWSRUN_PROFILE. Nothing is written to
stdout or to the calling shell, and nothing to the AWS files but the key lines of
the credentials file that --keys import moves out and --keys rotate replaces.

Flags:
%s
Examples:
  # ~/.aws/credentials
  [user101]
  aws_access_key_id = AKIAIOSFODNN7EXAMPLE
  aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY

  # ~/.aws/config
  [profile role101]
  role_arn = arn:aws:iam::123456789012:role/role101
  source_profile = user101
  mfa_serial = arn:aws:iam::123456789012:mfa/user101
  region = us-east-1

  awsrun --profile role101 -- terraform plan
  awsrun -p role101                                # a shell with the credentials; exit to return
  awsrun -p role101 -- aws sts get-caller-identity
  awsrun -p role101 -d 2h -- ./long-deploy.sh      # over 1h: the role is assumed with the code directly
  AWS_PROFILE=role101 make -j8 deploy              # targets run "awsrun -- ...": one prompt for all
  AWSRUN_MFA_CODE=123456 awsrun -p role101 -- kubectl get pods   # a code, not in argv
  eval "$(awsrun -p role101 --export env)"         # into the current shell, if you must
  awsrun -p role101 --export fish | source         # the same in fish; PowerShell: --export powershell | Out-String | Invoke-Expression
  docker run --env-file <(awsrun -p role101 --export dotenv) amazon/aws-cli sts get-caller-identity
  awsrun -p ci --min-ttl 50m -- terraform apply    # credentials good for 50 minutes, or fail now
  awsrun -p role101 --export eks-token --eks-cluster prod   # kubectl's exec plugin (README: kubectl)
  awsrun -p role101 --console --console-service s3 # the S3 console, signed in as role101
  awsrun -p role101 --whoami                       # account, ARN and expiry of role101's credentials
  awsrun -p role101 --doctor                       # cached steps, codes a run needs, config, cache, clock

  # session tags and source identity on a role profile (aws-vault's keys)
  [profile deploy]
  role_arn = arn:aws:iam::123456789012:role/deploy
  source_profile = user101
  session_tags = team=platform,cost-center=42
  transitive_session_tags = team
  source_identity = alice

  # credential_process for tools that cannot be wrapped
  [profile viaawsrun]
  credential_process = awsrun --profile role101 --export credential-process

Exit status:
  the command's own status: awsrun execs COMMAND, so the shell sees its status and
  signals; with --server (and always on Windows) awsrun stays the parent and exits
  with COMMAND's status, or 128+N when signal N killed it; 125 when awsrun itself
  fails (flags, config, MFA, STS, cache); 126 when COMMAND cannot be run; 127 when
  COMMAND is not found; 128+N when signal N ends the MFA prompt (130 for Ctrl-C).

Environment:
  AWS_PROFILE, AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, AWS_REGION,
  AWS_DEFAULT_REGION, AWS_ENDPOINT_URL, AWS_ENDPOINT_URL_STS, XDG_CACHE_HOME,
  XDG_CONFIG_HOME, AWSRUN_KEY_STORE (auto, keyring, keyctl or file: the cache key),
  AWSRUN_STS_TIMEOUT (how long one STS call may take, retries included; 30s),
  AWSRUN_MFA_CODE (the MFA code, out of argv; never passed to COMMAND),
  AWSRUN_PROFILE (set in the child; awsrun refuses to nest without --nested),
  AWSRUN_REGION (set in the child to the region awsrun set; an AWS_REGION equal
  to it is awsrun's, not the user's, and never overrides a profile's region),
  AWSRUN_KEYS_STORE (keyring or file: where --keys keeps keys), XDG_DATA_HOME
  (keys.age's directory, $XDG_DATA_HOME/awsrun), AWSRUN_KEYS_PASSPHRASE (keys.age's
  passphrase; never passed to COMMAND), AWSRUN_KEYS_PROPAGATION_WAIT (--keys rotate;
  2m), BROWSER and AWSRUN_FEDERATION_ENDPOINT (--console), KUBERNETES_EXEC_INFO
  (set by kubectl: the ExecCredential version --export eks-token prints),
  and what the SDK's providers read for credential_source, SSO and web identity
  (AWS_ACCESS_KEY_ID, AWS_CONTAINER_CREDENTIALS_FULL_URI, AWS_ENDPOINT_URL_SSO, ...).
`
