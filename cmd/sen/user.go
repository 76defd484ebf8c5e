package main

import (
	"bufio"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/pquerna/otp/totp"
	"github.com/spf13/cobra"

	"github.com/sen-emr/sen/internal/auth"
)

// newUserCmd is `sen user add|disable|enable|reset|list`: the accounts in
// --data-dir/auth.db.
func newUserCmd() *cobra.Command {
	var dataDir string
	cmd := &cobra.Command{
		Use:   "user",
		Short: "Manage user accounts / Quản lý tài khoản người dùng",
	}
	cmd.PersistentFlags().StringVar(&dataDir, "data-dir", "./sen-data", "data directory (holds auth.db)")
	cmd.AddCommand(newUserAddCmd(&dataDir), newUserDisableCmd(&dataDir, true), newUserDisableCmd(&dataDir, false),
		newUserResetCmd(&dataDir), newUserListCmd(&dataDir))
	return cmd
}

// userOpts are the flags of sen user add.
type userOpts struct {
	name, role, fhirUser, org, practitionerRole string
	patients                                    []string
	passwordStdin, withTOTP                     bool
}

func newUserAddCmd(dataDir *string) *cobra.Command {
	var o userOpts
	cmd := &cobra.Command{
		Use:   "add USERNAME",
		Short: "Add a user; prints a generated password unless --password-stdin",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			role, err := auth.ParseRole(o.role)
			if err != nil {
				return fmt.Errorf("--role: %w", err)
			}
			if (role == auth.RolePatient || role == auth.RoleCaregiver) && len(o.patients) == 0 {
				return errors.New("--patient is required for patients and caregivers / cần --patient")
			}
			pw, generated, err := readOrGeneratePassword(cmd.InOrStdin(), o.passwordStdin)
			if err != nil {
				return err
			}
			hash, err := auth.HashPassword(pw)
			if err != nil {
				return err
			}
			acc, err := openAccounts(cmd.Context(), *dataDir)
			if err != nil {
				return err
			}
			defer acc.Close()
			u := &auth.User{Username: args[0], Name: o.name, Role: role, FHIRUser: o.fhirUser, Organization: o.org,
				PractitionerRole: o.practitionerRole, Patients: o.patients, PasswordHash: hash}
			if u.Name == "" {
				u.Name = u.Username
			}
			secretURL := ""
			if o.withTOTP {
				key, err := totp.Generate(totp.GenerateOpts{Issuer: "Sen", AccountName: u.Username})
				if err != nil {
					return fmt.Errorf("TOTP secret: %w", err)
				}
				u.TOTPSecret, secretURL = key.Secret(), key.URL()
			}
			if err := acc.AddUser(cmd.Context(), u); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			fmt.Fprintf(out, "Đã tạo / created user %s (%s)\n", u.Username, u.Role)
			if generated {
				fmt.Fprintf(out, "Mật khẩu / password: %s\n", pw)
			}
			if secretURL != "" {
				fmt.Fprintf(out, "TOTP (thêm vào ứng dụng xác thực / add to an authenticator app): %s\n", secretURL)
			}
			return nil
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.name, "name", "", "display name")
	f.StringVar(&o.role, "role", "", fmt.Sprintf("role: %v", auth.Roles()))
	f.StringVar(&o.fhirUser, "fhir-user", "", "the user's FHIR identity: Practitioner/<id>, Patient/<id> or RelatedPerson/<id>")
	f.StringVar(&o.org, "org", "", "Organization/<id> the user works for (clinical roles)")
	f.StringVar(&o.practitionerRole, "practitioner-role", "", "PractitionerRole/<id> (clinical roles; care teams name it)")
	f.StringSliceVar(&o.patients, "patient", nil, "patient id (patient: their own; caregiver: each linked patient)")
	f.BoolVar(&o.passwordStdin, "password-stdin", false, "read the password from the first line of standard input")
	f.BoolVar(&o.withTOTP, "totp", false, "require a one-time code (TOTP) at sign-in; prints the otpauth:// URL")
	_ = cmd.MarkFlagRequired("role")
	return cmd
}

func readOrGeneratePassword(in io.Reader, fromStdin bool) (pw string, generated bool, err error) {
	if fromStdin {
		line, err := bufio.NewReader(in).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return "", false, fmt.Errorf("read password: %w", err)
		}
		return strings.TrimRight(line, "\r\n"), false, nil
	}
	b := make([]byte, 12)
	if _, err := rand.Read(b); err != nil {
		return "", false, fmt.Errorf("generate password: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), true, nil
}

func newUserDisableCmd(dataDir *string, disable bool) *cobra.Command {
	use, short := "disable USERNAME", "Disable a user and revoke their refresh tokens"
	if !disable {
		use, short = "enable USERNAME", "Enable a disabled user"
	}
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			acc, err := openAccounts(cmd.Context(), *dataDir)
			if err != nil {
				return err
			}
			defer acc.Close()
			if err := acc.SetDisabled(cmd.Context(), args[0], disable); err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "%s: disabled=%v\n", args[0], disable)
			return nil
		},
	}
}

func newUserResetCmd(dataDir *string) *cobra.Command {
	var passwordStdin, withTOTP, noTOTP bool
	cmd := &cobra.Command{
		Use:   "reset USERNAME",
		Short: "Set a new password (generated unless --password-stdin); --totp / --no-totp change the second factor",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			pw, generated, err := readOrGeneratePassword(cmd.InOrStdin(), passwordStdin)
			if err != nil {
				return err
			}
			hash, err := auth.HashPassword(pw)
			if err != nil {
				return err
			}
			acc, err := openAccounts(cmd.Context(), *dataDir)
			if err != nil {
				return err
			}
			defer acc.Close()
			if err := acc.SetPassword(cmd.Context(), args[0], hash); err != nil {
				return err
			}
			out := cmd.OutOrStdout()
			if generated {
				fmt.Fprintf(out, "Mật khẩu mới / new password: %s\n", pw)
			}
			switch {
			case withTOTP:
				key, err := totp.Generate(totp.GenerateOpts{Issuer: "Sen", AccountName: args[0]})
				if err != nil {
					return fmt.Errorf("TOTP secret: %w", err)
				}
				if err := acc.SetTOTP(cmd.Context(), args[0], key.Secret()); err != nil {
					return err
				}
				fmt.Fprintf(out, "TOTP: %s\n", key.URL())
			case noTOTP:
				if err := acc.SetTOTP(cmd.Context(), args[0], ""); err != nil {
					return err
				}
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&passwordStdin, "password-stdin", false, "read the password from the first line of standard input")
	cmd.Flags().BoolVar(&withTOTP, "totp", false, "issue a new TOTP secret")
	cmd.Flags().BoolVar(&noTOTP, "no-totp", false, "turn TOTP off")
	return cmd
}

func newUserListCmd(dataDir *string) *cobra.Command {
	return &cobra.Command{
		Use:   "list",
		Short: "List users",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			acc, err := openAccounts(cmd.Context(), *dataDir)
			if err != nil {
				return err
			}
			defer acc.Close()
			users, err := acc.Users(cmd.Context())
			if err != nil {
				return err
			}
			for _, u := range users {
				state := ""
				if u.Disabled {
					state = " (disabled)"
				}
				fmt.Fprintf(cmd.OutOrStdout(), "%-16s %-16s %-28s %s%s\n", u.Username, u.Role, u.FHIRUser, u.Name, state)
			}
			return nil
		},
	}
}
