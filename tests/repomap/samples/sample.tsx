/** Props of the button. */
interface ButtonProps { label: string }

/** A button component. */
export function Button(props: ButtonProps) {
  return <button onClick={() => track(props.label)}>{props.label}</button>;
}
