# The region to deploy to.
variable "region" {
  type    = string
  default = "eu-west-1"
}

provider "aws" {
  region = var.region
}

# The web server.
resource "aws_instance" "web" {
  ami           = data.aws_ami.ubuntu.id
  instance_type = local.size
}

data "aws_ami" "ubuntu" {
  most_recent = true
}

module "network" {
  source = "./network"
  cidr   = lower(var.region)
}

locals {
  size = "t3.micro"
}

# The server's address.
output "ip" {
  value = aws_instance.web.public_ip
}
